/** Knative's MAX_TTL default (broker ingress env). */
export const MAX_TTL = 255;

export const TTL_EXTENSION = 'knativebrokerttl';

/**
 * The TTL an event gets at the ingress: absent or not an integer → MAX_TTL; present → one less,
 * never below zero. An event whose TTL is then 0 is refused (400): it has looped too often.
 */
export function ingressTtl(value: string | number | undefined): number {
  const ttl = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof ttl === 'number' ? Math.max(0, ttl - 1) : MAX_TTL;
}
