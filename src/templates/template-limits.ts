/**
 * Limits checked when a template is saved. Graph's own limits where Microsoft documents one
 * (private channels per team, tabs, Planner checklist items); otherwise bounds that keep
 * provisioning a template a job of minutes, not hours.
 */
export const TEMPLATE_LIMITS = {
  /** Channels besides General (Teams allows 1 000 including deleted ones). */
  channels: 200,
  /** Private channels per team (Teams: 30). */
  privateChannels: 30,
  tabsPerChannel: 20,
  foldersPerChannel: 100,
  filesPerChannel: 100,
  apps: 50,
  plans: 10,
  bucketsPerPlan: 50,
  tasksPerPlan: 500,
  /** Planner refuses more than 20 checklist items per task. */
  checklistItems: 20,
  /** Largest asset upload, in bytes. */
  assetBytes: 5 * 1024 * 1024,
  assetsPerTemplate: 200,
  /** Serialised document size, in bytes. */
  documentBytes: 1024 * 1024,
} as const;
