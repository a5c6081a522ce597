// The people picker's strings (web/src/components/PeoplePicker.tsx), English and French.
export const en = {
  'picker.placeholder': 'Type a name or email',
  'picker.selected': 'Selected: {label}',
  'picker.searching': 'Searching the directory…',
  'picker.noMatch': 'Nobody matches “{query}”',
  'picker.found': '{count} people found',
  'picker.error': 'The directory search failed: {message}',
  'picker.remove': 'Remove {name}',
} as const;

export const fr: Record<keyof typeof en, string> = {
  'picker.placeholder': 'Saisissez un nom ou une adresse e-mail',
  'picker.selected': 'Sélection : {label}',
  'picker.searching': 'Recherche dans l’annuaire…',
  'picker.noMatch': 'Personne ne correspond à « {query} »',
  'picker.found': '{count} personnes trouvées',
  'picker.error': 'La recherche dans l’annuaire a échoué : {message}',
  'picker.remove': 'Retirer {name}',
};

/** The picker's own strings, English and French. */
export const peoplePickerMessages = { en, fr };
