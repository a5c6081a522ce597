import { Text } from '@fluentui/react-components';

/** Placeholder until the tab is built. */
export default function RequestsTab() {
  return <Text as="h1">requests</Text>;
}
