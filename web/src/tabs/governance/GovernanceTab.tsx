import { Text } from '@fluentui/react-components';

/** Placeholder until the tab is built. */
export default function GovernanceTab() {
  return <Text as="h1">governance</Text>;
}
