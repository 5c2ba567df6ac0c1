// One button that flips between English and Bahasa Indonesia; the choice is remembered.
import type { JSX } from 'preact';
import { useI18n } from '../lib/i18n';

export function LangSwitch(): JSX.Element {
  const { lang, setLang, t } = useI18n();
  const other = lang === 'en' ? 'id' : 'en';
  return (
    <button
      type="button"
      class="btn-link lang"
      lang={other}
      onClick={() => setLang(other)}
      aria-label={`${t('lang.label')}: ${t('lang.switch')}`}
      data-testid="lang-switch"
    >
      {t('lang.switch')}
    </button>
  );
}
