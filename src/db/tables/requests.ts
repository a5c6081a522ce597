/** Row types of the requests tables (snake_case, as in SQL); replace with an interface listing them. */
export type RequestTables = Record<never, never>;
