import { errors } from '../errors/index.ts';

/** What each accepted asset extension must contain; images and binary documents are checked by magic bytes. */
const TYPES: Record<
  string,
  { contentType: string; magic?: (b: Buffer) => boolean; text?: boolean; image?: boolean }
> = {
  png: {
    contentType: 'image/png',
    image: true,
    magic: (b) => starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  jpg: { contentType: 'image/jpeg', image: true, magic: (b) => starts(b, [0xff, 0xd8, 0xff]) },
  jpeg: { contentType: 'image/jpeg', image: true, magic: (b) => starts(b, [0xff, 0xd8, 0xff]) },
  gif: {
    contentType: 'image/gif',
    image: true,
    magic: (b) => b.subarray(0, 6).toString('latin1').startsWith('GIF8'),
  },
  webp: {
    contentType: 'image/webp',
    image: true,
    magic: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  pdf: { contentType: 'application/pdf', magic: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  docx: {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    magic: isZip,
  },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', magic: isZip },
  pptx: {
    contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    magic: isZip,
  },
  txt: { contentType: 'text/plain', text: true },
  md: { contentType: 'text/markdown', text: true },
  csv: { contentType: 'text/csv', text: true },
};

/** Content types the upload route accepts (besides application/octet-stream). */
export const ASSET_CONTENT_TYPES: readonly string[] = [
  ...new Set([...Object.values(TYPES).map((t) => t.contentType), 'application/octet-stream']),
];

/** Extensions of accepted assets. */
export const ASSET_EXTENSIONS: readonly string[] = Object.keys(TYPES);

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Checks an asset's name and content, returning the content type it is stored and served with:
 * the extension decides the type, and the bytes must match it (SVG and HTML are refused: they can run script).
 * @throws AppError validation_failed for a bad name or mismatched content
 */
export function sniffAssetType(name: string, data: Buffer): { contentType: string; image: boolean } {
  if (!NAME.test(name) || name.includes('..')) {
    throw errors.validation(
      'Asset names are 1–100 letters, digits, ".", "_" or "-", starting with a letter or digit',
      {
        name: name.slice(0, 100),
      },
    );
  }
  const extension = name.includes('.') ? (name.split('.').pop() ?? '').toLowerCase() : '';
  const type = TYPES[extension];
  if (!type) {
    throw errors.validation(
      `Asset type .${extension} is not accepted; use one of ${ASSET_EXTENSIONS.join(', ')}`,
      {
        name,
      },
    );
  }
  if (data.length === 0) throw errors.validation('The asset is empty', { name });
  if (type.magic && !type.magic(data)) {
    throw errors.validation(`The content of ${name} is not a ${extension.toUpperCase()} file`, { name });
  }
  if (type.text && (data.includes(0) || !isUtf8(data))) {
    throw errors.validation(`${name} must be UTF-8 text`, { name });
  }
  return { contentType: type.contentType, image: type.image === true };
}

function starts(b: Buffer, bytes: number[]): boolean {
  return b.length >= bytes.length && bytes.every((byte, i) => b[i] === byte);
}

function isZip(b: Buffer): boolean {
  return starts(b, [0x50, 0x4b, 0x03, 0x04]);
}

function isUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}
