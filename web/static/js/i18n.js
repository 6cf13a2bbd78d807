// The page's language: zh-CN when the browser prefers Chinese (navigator.languages, first match),
// else English. Strings live in one module per language (i18n/en.js, i18n/zh-CN.js).
import en from './i18n/en.js';
import zhCN from './i18n/zh-CN.js';

function pick(languages) {
  for (const l of languages) {
    const tag = l.toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

/** 'zh-CN' or 'en'; also the locale given to Intl. */
export const locale = pick(navigator.languages?.length ? navigator.languages : [navigator.language]);
const strings = locale === 'zh-CN' ? zhCN : en;
document.documentElement.lang = locale;

/** The string `key` with {name} placeholders filled from `params`; the key itself if unknown. */
export function t(key, params = {}) {
  const s = strings[key] ?? en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** A metric's label: 'stage_duration:negotiation' → the stage label; 'score:NAME' → NAME;
 * 'attainment:sales_amount' → "Attainment · Sales". */
export function metricLabel(name, stageName = (id) => id) {
  if (name.startsWith('attainment:')) {
    return `${t('metric.attainment')} · ${metricLabel(name.slice('attainment:'.length), stageName)}`;
  }
  const [base, arg] = name.split(':');
  if (base === 'stage_duration') return `${t('section.stages')} · ${stageName(arg)}`;
  if (base === 'score') return `${t('metric.score')} · ${arg}`;
  return t(`metric.${name}`);
}
