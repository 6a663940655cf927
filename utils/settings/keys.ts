/**
 * The settings a user or an agency's policy sets: the options form, managed storage and the
 * precedence rule all go by this list, in this order.
 */
export const SETTING_KEYS = ['feedUrl', 'tallyUrl', 'feedPublicKey'] as const;
export type SettingKey = (typeof SETTING_KEYS)[number];

/**
 * What the agency's policy may set beyond those: the working hours notifications keep to
 * ("07:00-17:00") and the zone they are read in ("Asia/Jakarta").
 */
export const POLICY_KEYS = [...SETTING_KEYS, 'workHours', 'timeZone'] as const;
export type PolicyKey = (typeof POLICY_KEYS)[number];
