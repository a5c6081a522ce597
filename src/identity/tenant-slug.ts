const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

/**
 * A tenant slug (`^[a-z0-9][a-z0-9-]{1,62}$`) from what Graph says about the organization: the
 * first label of its default verified domain (`contoso.onmicrosoft.com` → `contoso`), else its
 * name, else `tenant-` and the start of the Entra tenant id.
 */
export function tenantSlugFor(
  entraTenantId: string,
  org?: { domain?: string | null; name?: string | null },
): string {
  for (const candidate of [org?.domain?.split('.')[0], org?.name]) {
    const slug = slugify(candidate ?? '');
    if (SLUG.test(slug)) return slug;
  }
  return `tenant-${entraTenantId
    .toLowerCase()
    .replace(/[^0-9a-f]/g, '')
    .slice(0, 8)}`;
}

/** `name` with accents folded, lowercased, runs of anything else turned into single hyphens. */
function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
}

/** The n-th alternative of a taken slug: `contoso-2`, `contoso-3` … */
export function alternativeSlug(slug: string, n: number): string {
  return `${slug.slice(0, 56)}-${n}`;
}
