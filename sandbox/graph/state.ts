/** Microsoft Graph objects beyond the directory (teams, channels, tabs, drive, planner …). */
export interface GraphState {
  [collection: string]: unknown[];
}

export function emptyGraphState(): GraphState {
  return {};
}
