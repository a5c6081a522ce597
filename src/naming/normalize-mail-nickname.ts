import { foldToAscii } from './fold-to-ascii.ts';
import { NAME_LIMITS } from './naming-limits.ts';

/**
 * Turns any text into a mail nickname Microsoft accepts: diacritics removed, everything but
 * ASCII letters, digits, `.`, `_` and `-` replaced by hyphens, at most 64 characters. May return
 * '' for text with no Latin letters or digits (a naming rule for the nickname is then needed).
 */
export function normalizeMailNickname(text: string): string {
  // Symbols such as & / ? are legal but break some mail clients and read badly in an address.
  const cleaned = foldToAscii(text)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    // Two dots in a row are refused; a dot next to a hyphen reads as a typo.
    .replace(/[-.]*\.[-.]*/g, (run) => (run === '.' ? '.' : '-'))
    .replace(/-{2,}/g, '-');
  return trimEdges(trimEdges(cleaned).slice(0, NAME_LIMITS.mailNicknameMax));
}

// A nickname may not start or end with a dot; a leading or trailing hyphen is legal but ugly.
function trimEdges(value: string): string {
  return value.replace(/^[-.]+|[-.]+$/g, '');
}
