// Files imported as their text: esbuild's text loader in the bundle (esbuild.mjs), scripts/load-text.mjs under tsx.
declare module '*.py' {
  const text: string;
  export default text;
}
