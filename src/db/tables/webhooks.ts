/** Row types of the webhooks tables (snake_case, as in SQL); replace with an interface listing them. */
export type WebhookTables = Record<never, never>;
