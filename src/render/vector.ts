/** A 3-vector for the path tracer: small, immutable, allocation-cheap under V8. */
export class V3 {
  constructor(
    readonly x: number,
    readonly y: number,
    readonly z: number,
  ) {}

  static of(v: readonly [number, number, number]): V3 {
    return new V3(v[0], v[1], v[2]);
  }

  add(o: V3): V3 {
    return new V3(this.x + o.x, this.y + o.y, this.z + o.z);
  }
  sub(o: V3): V3 {
    return new V3(this.x - o.x, this.y - o.y, this.z - o.z);
  }
  mul(o: V3): V3 {
    return new V3(this.x * o.x, this.y * o.y, this.z * o.z);
  }
  scale(k: number): V3 {
    return new V3(this.x * k, this.y * k, this.z * k);
  }
  /** this + o·k */
  addScaled(o: V3, k: number): V3 {
    return new V3(this.x + o.x * k, this.y + o.y * k, this.z + o.z * k);
  }
  dot(o: V3): number {
    return this.x * o.x + this.y * o.y + this.z * o.z;
  }
  cross(o: V3): V3 {
    return new V3(this.y * o.z - this.z * o.y, this.z * o.x - this.x * o.z, this.x * o.y - this.y * o.x);
  }
  length(): number {
    return Math.sqrt(this.dot(this));
  }
  normalize(): V3 {
    return this.scale(1 / this.length());
  }
  /** The mirror direction of this (incoming) direction about the normal n. */
  reflect(n: V3): V3 {
    return this.addScaled(n, -2 * this.dot(n));
  }
}

export const ZERO = new V3(0, 0, 0);
