// The ESM file of parseTweet alone, so bundles take only what counting needs (not autolinking).
declare module 'twitter-text/dist/esm/parseTweet' {
  import type { parseTweet } from 'twitter-text';
  const parse: typeof parseTweet;
  export default parse;
}

// The TLD lists parseTweet already bundles; x-weight.ts reads the names from them.
declare module 'twitter-text/dist/esm/regexp/validGTLD' {
  const re: RegExp;
  export default re;
}
declare module 'twitter-text/dist/esm/regexp/validCCTLD' {
  const re: RegExp;
  export default re;
}
