/** The CSS both pages (dashboard and explorer) start with: type, headings, tables, code. */
export const BASE_STYLE = `  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; background: #f7f8fa; }
  h1 { margin: 0 0 .2rem; font-size: 1.5rem; }
  h2 { margin: 1.6rem 0 .4rem; font-size: 1.15rem; }
  h3 { margin: 1rem 0 .3rem; font-size: 1rem; color: #41506b; }
  table { border-collapse: collapse; width: 100%; background: #fff; margin-bottom: .6rem; }
  th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
  th { background: #eef1f5; font-weight: 600; }
  code { font: 12px ui-monospace, monospace; word-break: break-all; }
  .muted { color: #6b778c; }`;
