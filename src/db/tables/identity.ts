/** Row types of the identity tables (snake_case, as in SQL); replace with an interface listing them. */
export type IdentityTables = Record<never, never>;
