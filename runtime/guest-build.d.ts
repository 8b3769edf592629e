import type { BuildOptions } from 'esbuild';

export declare const GUEST_DIR: string;
export declare const PRELUDE_ENTRY: string;
export declare const PRELUDE_OUT: string;
export declare function preludeBuildOptions(write: boolean): BuildOptions;
export declare function newestGuestSource(dir?: string): number;
