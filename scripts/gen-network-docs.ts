// Regenerates the published network and infrastructure documents from src/network.
import { writeFile } from 'node:fs/promises';
import {
  renderInfrastructureDoc,
  renderNetworkSecurityDoc,
  renderReferenceFlows,
} from '../src/network/network-docs.ts';

await writeFile(new URL('../docs/network-security.md', import.meta.url), renderNetworkSecurityDoc());
await writeFile(new URL('../docs/infrastructure.md', import.meta.url), renderInfrastructureDoc());
await writeFile(new URL('../docs/network-flows.svg', import.meta.url), renderReferenceFlows());
