import { PixelRandom } from './random.js';
import type { Material, Scene } from './scene.js';
import type { Rect } from './tiles.js';
import { V3, ZERO } from './vector.js';

/** How many times a path may bounce before it stops. */
const MAX_BOUNCES = 5;
/** How far off a surface a new ray starts, so that it does not hit the surface it leaves. */
const EPSILON = 1e-4;

export interface FrameSettings {
  readonly width: number;
  readonly height: number;
  readonly samples: number;
}

/**
 * The built-in renderer: a small unidirectional path tracer (diffuse and metallic surfaces,
 * emissive objects, sky light, sun and point lights sampled directly). Each pixel's samples are
 * seeded by the pixel's coordinates in the frame, so a region renders to exactly the bytes the
 * same region of the full frame has. Returns 8-bit sRGB RGBA, row by row.
 */
export function renderRegion(scene: Scene, frame: FrameSettings, region: Rect): Uint8Array {
  const world = compile(scene);
  const camera = cameraOf(scene, frame);
  const rng = new PixelRandom();
  const out = new Uint8Array(region.w * region.h * 4);
  let i = 0;
  for (let py = region.y; py < region.y + region.h; py++) {
    for (let px = region.x; px < region.x + region.w; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let s = 0; s < frame.samples; s++) {
        rng.seed(px, py, s);
        const c = radiance(world, camera.ray(px + rng.next(), py + rng.next()), rng);
        r += c.x;
        g += c.y;
        b += c.z;
      }
      out[i++] = toSrgb8(r / frame.samples);
      out[i++] = toSrgb8(g / frame.samples);
      out[i++] = toSrgb8(b / frame.samples);
      out[i++] = 255;
    }
  }
  return out;
}

interface Ray {
  readonly origin: V3;
  readonly dir: V3;
}

function cameraOf(scene: Scene, frame: FrameSettings): { ray(fx: number, fy: number): Ray } {
  const origin = V3.of(scene.camera.position);
  const forward = V3.of(scene.camera.lookAt).sub(origin).normalize();
  // Looking straight up or down, "up" cannot be world y.
  const worldUp = Math.abs(forward.y) > 0.999 ? new V3(0, 0, -1) : new V3(0, 1, 0);
  const right = forward.cross(worldUp).normalize();
  const up = right.cross(forward);
  const halfH = Math.tan((scene.camera.fov * Math.PI) / 360);
  const halfW = (halfH * frame.width) / frame.height;
  return {
    ray(fx, fy) {
      const sx = ((fx / frame.width) * 2 - 1) * halfW;
      const sy = (1 - (fy / frame.height) * 2) * halfH;
      return { origin, dir: forward.addScaled(right, sx).addScaled(up, sy).normalize() };
    },
  };
}

interface Surface {
  readonly color: V3;
  readonly metallic: number;
  readonly roughness: number;
  readonly emission: V3 | undefined;
}

type Shape =
  | { kind: 'sphere'; center: V3; radius: number; surface: Surface }
  | { kind: 'box'; min: V3; max: V3; surface: Surface }
  | { kind: 'plane'; point: V3; normal: V3; surface: Surface };

type LightSource = { kind: 'sun'; toLight: V3; power: V3 } | { kind: 'point'; position: V3; power: V3 };

interface World {
  readonly shapes: readonly Shape[];
  readonly lights: readonly LightSource[];
  readonly horizon: V3;
  readonly zenith: V3;
}

function compile(scene: Scene): World {
  const surfaces = new Map<string, Surface>(Object.entries(scene.materials).map(([name, m]) => [name, surfaceOf(m)]));
  const surface = (name: string) => surfaces.get(name)!;
  const shapes: Shape[] = scene.objects.map((o) => {
    if (o.type === 'sphere') return { kind: 'sphere', center: V3.of(o.center), radius: o.radius, surface: surface(o.material) };
    if (o.type === 'box') return { kind: 'box', min: V3.of(o.min), max: V3.of(o.max), surface: surface(o.material) };
    return { kind: 'plane', point: V3.of(o.point), normal: V3.of(o.normal).normalize(), surface: surface(o.material) };
  });
  const lights: LightSource[] = scene.lights.map((l) =>
    l.type === 'sun'
      ? { kind: 'sun', toLight: V3.of(l.direction).normalize().scale(-1), power: V3.of(l.color).scale(l.intensity) }
      : { kind: 'point', position: V3.of(l.position), power: V3.of(l.color).scale(l.intensity) },
  );
  return { shapes, lights, horizon: scene.sky ? V3.of(scene.sky.horizon) : ZERO, zenith: scene.sky ? V3.of(scene.sky.zenith) : ZERO };
}

function surfaceOf(m: Material): Surface {
  return { color: V3.of(m.color), metallic: m.metallic ?? 0, roughness: m.roughness ?? 0, emission: m.emission && V3.of(m.emission) };
}

interface Hit {
  t: number;
  normal: V3;
  surface: Surface;
}

/** The nearest surface along the ray closer than maxT, if any. */
function intersect(world: World, ray: Ray, maxT: number): Hit | undefined {
  let best: Hit | undefined;
  let nearest = maxT;
  const { origin: o, dir: d } = ray;
  for (const s of world.shapes) {
    if (s.kind === 'sphere') {
      const oc = o.sub(s.center);
      const b = oc.dot(d);
      const disc = b * b - (oc.dot(oc) - s.radius * s.radius);
      if (disc < 0) continue;
      const root = Math.sqrt(disc);
      let t = -b - root;
      if (t < EPSILON) t = -b + root;
      if (t < EPSILON || t >= nearest) continue;
      nearest = t;
      best = { t, normal: o.addScaled(d, t).sub(s.center).scale(1 / s.radius), surface: s.surface };
    } else if (s.kind === 'plane') {
      const denom = d.dot(s.normal);
      if (Math.abs(denom) < 1e-12) continue;
      const t = s.point.sub(o).dot(s.normal) / denom;
      if (t < EPSILON || t >= nearest) continue;
      nearest = t;
      best = { t, normal: s.normal, surface: s.surface };
    } else {
      const hit = intersectBox(s.min, s.max, o, d);
      if (!hit || hit.t >= nearest) continue;
      nearest = hit.t;
      best = { t: hit.t, normal: hit.normal, surface: s.surface };
    }
  }
  return best;
}

const AXES = [new V3(1, 0, 0), new V3(0, 1, 0), new V3(0, 0, 1)] as const;

/** Slab test of an axis-aligned box; the normal is that of the face the ray crosses. */
function intersectBox(min: V3, max: V3, o: V3, d: V3): { t: number; normal: V3 } | undefined {
  let tNear = -Infinity;
  let tFar = Infinity;
  let nearAxis = 0;
  let farAxis = 0;
  const lo = [min.x, min.y, min.z];
  const hi = [max.x, max.y, max.z];
  const os = [o.x, o.y, o.z];
  const ds = [d.x, d.y, d.z];
  for (let a = 0; a < 3; a++) {
    const inv = 1 / ds[a]!;
    let t0 = (lo[a]! - os[a]!) * inv;
    let t1 = (hi[a]! - os[a]!) * inv;
    if (t0 > t1) [t0, t1] = [t1, t0];
    if (t0 > tNear) (tNear = t0), (nearAxis = a);
    if (t1 < tFar) (tFar = t1), (farAxis = a);
    if (tNear > tFar) return undefined;
  }
  const inside = tNear < EPSILON;
  const t = inside ? tFar : tNear;
  if (t < EPSILON) return undefined;
  const axis = inside ? farAxis : nearAxis;
  const n = AXES[axis as 0 | 1 | 2];
  // Face the ray: the normal points against the direction it came from.
  return { t, normal: ds[axis]! > 0 ? n.scale(-1) : n };
}

function sky(world: World, dir: V3): V3 {
  const k = Math.max(0, dir.y);
  return world.horizon.scale(1 - k).addScaled(world.zenith, k);
}

function radiance(world: World, first: Ray, rng: PixelRandom): V3 {
  let ray = first;
  let light = ZERO;
  let throughput = new V3(1, 1, 1);
  for (let bounce = 0; bounce <= MAX_BOUNCES; bounce++) {
    const hit = intersect(world, ray, Infinity);
    if (!hit) return light.add(throughput.mul(sky(world, ray.dir)));
    const { surface } = hit;
    if (surface.emission) light = light.add(throughput.mul(surface.emission));
    const point = ray.origin.addScaled(ray.dir, hit.t);
    // Shade the side the ray came from.
    const normal = hit.normal.dot(ray.dir) > 0 ? hit.normal.scale(-1) : hit.normal;
    const origin = point.addScaled(normal, EPSILON);
    let dir: V3;
    if (surface.metallic > 0 && rng.next() < surface.metallic) {
      dir = ray.dir.reflect(normal).addScaled(inUnitSphere(rng), surface.roughness).normalize();
      if (dir.dot(normal) <= 0) break;
    } else {
      light = light.add(throughput.mul(surface.color).mul(direct(world, origin, normal)).scale(1 / Math.PI));
      dir = cosineDirection(normal, rng);
    }
    throughput = throughput.mul(surface.color);
    ray = { origin, dir };
  }
  return light;
}

/** Irradiance at a point from the sun and point lights that it sees. */
function direct(world: World, origin: V3, normal: V3): V3 {
  let sum = ZERO;
  for (const l of world.lights) {
    if (l.kind === 'sun') {
      const cos = normal.dot(l.toLight);
      if (cos <= 0 || intersect(world, { origin, dir: l.toLight }, Infinity)) continue;
      sum = sum.addScaled(l.power, cos);
    } else {
      const toLight = l.position.sub(origin);
      const distance = toLight.length();
      const dir = toLight.scale(1 / distance);
      const cos = normal.dot(dir);
      if (cos <= 0 || intersect(world, { origin, dir }, distance)) continue;
      sum = sum.addScaled(l.power, cos / (distance * distance));
    }
  }
  return sum;
}

function inUnitSphere(rng: PixelRandom): V3 {
  for (;;) {
    const v = new V3(rng.next() * 2 - 1, rng.next() * 2 - 1, rng.next() * 2 - 1);
    if (v.dot(v) < 1) return v;
  }
}

/** A direction about the normal with probability ∝ cos θ (so a diffuse bounce needs no weight). */
function cosineDirection(n: V3, rng: PixelRandom): V3 {
  const r1 = 2 * Math.PI * rng.next();
  const r2 = rng.next();
  const r = Math.sqrt(r2);
  const helper = Math.abs(n.x) > 0.9 ? new V3(0, 1, 0) : new V3(1, 0, 0);
  const u = helper.cross(n).normalize();
  const v = n.cross(u);
  return u.scale(Math.cos(r1) * r).addScaled(v, Math.sin(r1) * r).addScaled(n, Math.sqrt(1 - r2)).normalize();
}

/** Linear light to an 8-bit sRGB value (clipped), as Blender's "Standard" view does. */
function toSrgb8(linear: number): number {
  const c = linear <= 0 ? 0 : linear >= 1 ? 1 : linear;
  const s = c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
  return Math.round(s * 255);
}
