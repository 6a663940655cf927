interface ImportMetaEnv {
  /** The agency feed this build points at by default. */
  readonly WXT_SIAR_FEED_URL?: string;
  readonly WXT_SIAR_TALLY_URL?: string;
  readonly WXT_SIAR_FEED_PUBLIC_KEY?: string;
}
