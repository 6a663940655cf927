/**
 * The settings a user or an agency's policy sets: the options form, managed storage and the
 * precedence rule all go by this list, in this order.
 */
export const SETTING_KEYS = ['feedUrl', 'tallyUrl', 'feedPublicKey'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];
