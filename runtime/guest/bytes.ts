/** Bytes ↔ base64 and UTF-8, for bodies that cross the bridge as JSON strings. */
import { atob, btoa } from './base64.ts';
import { NativeTypeError, NativeUint8Array, StringFromCharCode } from './intrinsics.ts';
import { TextDecoder, TextEncoder } from './text-codec.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CHUNK = 0x8000;

/** A Uint8Array view of bytes given as a Uint8Array, another typed array or an ArrayBuffer. */
export function toBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof NativeUint8Array) return value;
  if (value instanceof ArrayBuffer) return new NativeUint8Array(value);
  if (ArrayBuffer.isView(value))
    return new NativeUint8Array(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

export function bytesToBase64(value: unknown): string {
  const bytes = toBytes(value);
  if (bytes === undefined)
    throw new NativeTypeError('Expected a base64 string, a Uint8Array or an ArrayBuffer');
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK)
    binary += StringFromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new NativeUint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export const utf8Encode = (text: string): Uint8Array => encoder.encode(text);
export const utf8Decode = (bytes: Uint8Array): string => decoder.decode(bytes);
