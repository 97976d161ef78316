// Stylesheets are imported for esbuild to bundle; they have no value in TypeScript.
declare module '*.css';
