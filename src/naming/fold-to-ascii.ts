// Latin letters NFKD cannot decompose into ASCII; without these "Straße" would lose its "ß".
const TRANSLITERATIONS: Record<string, string> = {
  ß: 'ss',
  Æ: 'AE',
  æ: 'ae',
  Ø: 'O',
  ø: 'o',
  Œ: 'OE',
  œ: 'oe',
  Đ: 'D',
  đ: 'd',
  Ł: 'L',
  ł: 'l',
  Þ: 'TH',
  þ: 'th',
  ı: 'i',
};

/** Folds text to ASCII: diacritics dropped (NFKD), common Latin ligatures spelled out, other non-ASCII characters replaced. */
export function foldToAscii(text: string, replacement = '-'): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/\P{ASCII}/gu, (c) => TRANSLITERATIONS[c] ?? replacement);
}
