// Types for scripts/build-ui.mjs, so the UI tests can build the bundle themselves.
export declare const DEFAULT_UI_DIR: string;
export declare function buildUi(options?: { outDir?: string; minify?: boolean }): Promise<{ outDir: string; script: string; style: string }>;
