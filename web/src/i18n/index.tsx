import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { en } from './en.ts';
import { fr } from './fr.ts';

/** A message table: the shell's, or a tab's own (web/src/tabs/<tab>/messages.ts). */
export type Table = Record<string, string>;

export type Language = 'en' | 'fr';

/** French for any fr-* locale, English otherwise. */
export function languageOf(locale: string): Language {
  return locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

const LanguageContext = createContext<Language>('en');

export function LanguageProvider(props: { language: Language; children: ReactNode }) {
  return <LanguageContext.Provider value={props.language}>{props.children}</LanguageContext.Provider>;
}

export function useLanguage(): Language {
  return useContext(LanguageContext);
}

/** Replaces `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, key: string) => (key in values ? String(values[key]) : m));
}

/**
 * A translator over an en/fr pair of tables with the same keys:
 * `const t = useMessages(messages); t('catalog.title')`.
 */
export function useMessages<K extends string>(tables: {
  en: Record<K, string>;
  fr: Record<K, string>;
}): (key: K, values?: Record<string, string | number>) => string {
  const language = useLanguage();
  return useMemo(() => {
    const table = tables[language];
    return (key: K, values?: Record<string, string | number>) => format(table[key] ?? tables.en[key], values);
  }, [language, tables]);
}

const SHELL = { en, fr };

/** The shell's own strings. */
export function useT() {
  return useMessages(SHELL);
}

/** Dates and numbers in the user's language. */
export function useFormat() {
  const language = useLanguage();
  return useMemo(() => {
    const locale = language === 'fr' ? 'fr-FR' : 'en-GB';
    const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
    const number = new Intl.NumberFormat(locale);
    return {
      dateTime: (iso: string | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—'),
      date: (iso: string | null | undefined) => (iso ? date.format(new Date(iso)) : '—'),
      number: (n: number) => number.format(n),
    };
  }, [language]);
}
