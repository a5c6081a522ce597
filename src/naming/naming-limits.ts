/** Microsoft 365 group limits (Graph `group` resource; Teams description). */
export const NAME_LIMITS = {
  displayNameMax: 256,
  mailNicknameMax: 64,
  descriptionMax: 1024,
} as const;
