/** The sensitivity labels published in every sandbox tenant (Microsoft Purview publishes them per tenant). */
export const SENSITIVITY_LABELS: readonly { id: string; displayName: string }[] = [
  { id: '3d7a4e21-9c1b-4f0e-8a5d-6b2c9e1f0a11', displayName: 'Public' },
  { id: '5a1c0f6e-3b2d-4e8f-9a7c-0d1e2f3a4b5c', displayName: 'Internal' },
  { id: '8b2d1e4f-6a7c-4d9e-b0f1-2c3d4e5f6a7b', displayName: 'Confidential' },
];

export function labelById(id: string): { id: string; displayName: string } | undefined {
  return SENSITIVITY_LABELS.find((l) => l.id.toLowerCase() === id.toLowerCase());
}
