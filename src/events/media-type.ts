/** The media type without parameters, lower-cased: `Application/JSON; charset=utf-8` → `application/json`. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (!contentType) return '';
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

export function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType === 'text/json' || mediaType.endsWith('+json');
}

/** Types whose bytes are text, so that structured mode can carry them as a JSON string. */
export function isTextMediaType(mediaType: string): boolean {
  return mediaType.startsWith('text/') || mediaType.endsWith('+xml') || mediaType === 'application/xml';
}
