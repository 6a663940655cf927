// The ESM file of parseTweet alone, so bundles take only what counting needs (not autolinking).
declare module 'twitter-text/dist/esm/parseTweet' {
  import type { parseTweet } from 'twitter-text';
  const parse: typeof parseTweet;
  export default parse;
}
