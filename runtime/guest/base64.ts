/** atob/btoa (Latin-1 strings ↔ base64), which bare V8 lacks. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function invalid(message: string): Error {
  const error = new Error(message);
  error.name = 'InvalidCharacterError';
  return error;
}

export function btoa(input: unknown): string {
  const s = String(input);
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const a = s.charCodeAt(i);
    const b = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    const c = i + 2 < s.length ? s.charCodeAt(i + 2) : 0;
    if (a > 255 || b > 255 || c > 255)
      throw invalid('btoa: the string contains characters outside of Latin1');
    const n = (a << 16) | (b << 8) | c;
    out += ALPHABET[n >> 18];
    out += ALPHABET[(n >> 12) & 63];
    out += i + 1 < s.length ? ALPHABET[(n >> 6) & 63] : '=';
    out += i + 2 < s.length ? ALPHABET[n & 63] : '=';
  }
  return out;
}

export function atob(input: unknown): string {
  let s = String(input).replace(/[\t\n\f\r ]/g, '');
  if (s.length % 4 === 0) s = s.replace(/==?$/, '');
  if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s))
    throw invalid('atob: the string is not correctly encoded');
  let out = '';
  let bits = 0;
  let value = 0;
  for (let i = 0; i < s.length; i++) {
    value = (value << 6) | ALPHABET.indexOf(s[i] as string);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((value >> bits) & 255);
    }
  }
  return out;
}
