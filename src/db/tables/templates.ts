/** Row types of the templates tables (snake_case, as in SQL); replace with an interface listing them. */
export type TemplateTables = Record<never, never>;
