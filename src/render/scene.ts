import { dataValidator } from '../function-kit/event-data.js';
import sceneSchema from './scene.schema.json' with { type: 'json' };
import blocks from './scenes/blocks.json' with { type: 'json' };
import lamp from './scenes/lamp.json' with { type: 'json' };
import spheres from './scenes/spheres.json' with { type: 'json' };

export type Vec3 = readonly [number, number, number];

export interface Material {
  readonly color: Vec3;
  readonly metallic?: number;
  readonly roughness?: number;
  readonly emission?: Vec3;
}

export type SceneObject =
  | { readonly type: 'sphere'; readonly center: Vec3; readonly radius: number; readonly material: string }
  | { readonly type: 'box'; readonly min: Vec3; readonly max: Vec3; readonly material: string }
  | { readonly type: 'plane'; readonly point: Vec3; readonly normal: Vec3; readonly material: string };

export type Light =
  | { readonly type: 'sun'; readonly direction: Vec3; readonly color: Vec3; readonly intensity: number }
  | { readonly type: 'point'; readonly position: Vec3; readonly color: Vec3; readonly intensity: number };

/** A scene as JSON (scene.schema.json): y is up, units are metres, colours linear RGB. */
export interface Scene {
  readonly name?: string;
  readonly camera: { readonly position: Vec3; readonly lookAt: Vec3; readonly fov: number };
  readonly sky?: { readonly horizon: Vec3; readonly zenith: Vec3 };
  readonly materials: Readonly<Record<string, Material>>;
  readonly objects: readonly SceneObject[];
  readonly lights: readonly Light[];
}

export { sceneSchema };


const checkShape = dataValidator<Scene>('scene', sceneSchema);

/**
 * Checks a scene against its JSON Schema and what a schema cannot say (every material named
 * exists, no zero-length direction, a box's min below its max). Throws a BadEventError (a 400)
 * naming what is wrong.
 */
export function validateScene(value: unknown): Scene {
  const scene = checkShape(value);
  const problems: string[] = [];
  scene.objects.forEach((o, i) => {
    if (!Object.hasOwn(scene.materials, o.material)) problems.push(`/objects/${i}/material "${o.material}" is not in materials`);
    if (o.type === 'plane' && isZero(o.normal)) problems.push(`/objects/${i}/normal must not be [0,0,0]`);
    if (o.type === 'box' && !o.min.every((v, k) => v < o.max[k]!)) problems.push(`/objects/${i} min must be below max on every axis`);
  });
  scene.lights.forEach((l, i) => {
    if (l.type === 'sun' && isZero(l.direction)) problems.push(`/lights/${i}/direction must not be [0,0,0]`);
  });
  const { position, lookAt } = scene.camera;
  if (position.every((v, k) => v === lookAt[k])) problems.push('/camera lookAt must differ from position');
  if (problems.length > 0) throw new BadSceneError(`invalid scene: ${problems.join('; ')}`);
  return scene;
}

const isZero = (v: Vec3) => v[0] === 0 && v[1] === 0 && v[2] === 0;

/** A scene that fits its schema but cannot be drawn; a 400 like a schema error. */
export class BadSceneError extends Error {
  override readonly name = 'BadSceneError';
  readonly code = 400;
}

/** The scenes an order can name instead of sending one. */
export const BUILT_IN_SCENES: Readonly<Record<string, Scene>> = {
  spheres: validateScene(spheres),
  blocks: validateScene(blocks),
  lamp: validateScene(lamp),
};
