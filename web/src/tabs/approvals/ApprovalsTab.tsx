import { Text } from '@fluentui/react-components';

/** Placeholder until the tab is built. */
export default function ApprovalsTab() {
  return <Text as="h1">approvals</Text>;
}
