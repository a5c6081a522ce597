/** Microsoft Graph objects beyond the directory (teams, channels, tabs, drive, planner …). */
export interface GraphState {
  // biome-ignore lint/suspicious/noExplicitAny: filled in by the Graph routes
  [collection: string]: any[];
}

export function emptyGraphState(): GraphState {
  return {};
}
