import { Text } from '@fluentui/react-components';

/** Placeholder until the tab is built. */
export default function CatalogTab() {
  return <Text as="h1">catalog</Text>;
}
