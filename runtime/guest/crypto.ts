/** `crypto.getRandomValues` and `crypto.randomUUID`, fed by the host's CSPRNG. */
import { NativeTypeError, NativeUint8Array, ObjectFreeze } from './intrinsics.ts';

const MAX_BYTES = 65536; // the Web Crypto quota

/** Builds the frozen `crypto` global over the host's random source. */
export function createCrypto(random: (n: number) => Uint8Array): object {
  const getRandomValues = <T extends ArrayBufferView>(array: T): T => {
    if (
      !ArrayBuffer.isView(array) ||
      array instanceof Float32Array ||
      array instanceof Float64Array ||
      array instanceof DataView
    ) {
      throw new NativeTypeError('crypto.getRandomValues expects an integer typed array');
    }
    if (array.byteLength > MAX_BYTES) {
      const error = new Error(
        `crypto.getRandomValues: ${array.byteLength} bytes exceeds the quota of ${MAX_BYTES}`,
      );
      error.name = 'QuotaExceededError';
      throw error;
    }
    const bytes = random(array.byteLength);
    new NativeUint8Array(array.buffer, array.byteOffset, array.byteLength).set(
      new NativeUint8Array(bytes),
    );
    return array;
  };
  const randomUUID = (): string => {
    const b = new NativeUint8Array(random(16));
    b[6] = ((b[6] as number) & 0x0f) | 0x40;
    b[8] = ((b[8] as number) & 0x3f) | 0x80;
    let hex = '';
    for (let i = 0; i < 16; i++) {
      hex += ((b[i] as number) + 0x100).toString(16).slice(1);
      if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-';
    }
    return hex;
  };
  return ObjectFreeze({ getRandomValues, randomUUID });
}
