// esbuild's text loader bundles the WeChat sample pushes (fixtures/wechat) as strings.
declare module '*.xml' {
  const text: string;
  export default text;
}
declare module '*.css';
