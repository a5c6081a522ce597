import { Text } from '@fluentui/react-components';

/** Placeholder until the tab is built. */
export default function AdminTab() {
  return <Text as="h1">admin</Text>;
}
