/** Knative's MAX_TTL default (broker ingress env). */
export const MAX_TTL = 255;

export const TTL_EXTENSION = 'knativebrokerttl';

/**
 * The TTL an event gets at the ingress: absent or not an integer → MAX_TTL; present → one less,
 * never below zero. An event whose TTL is then 0 is refused (400): it has looped too often.
 */
export function ingressTtl(value: string | undefined): number {
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return MAX_TTL;
  return Math.max(0, Number(value) - 1);
}
