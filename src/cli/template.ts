// Placeholder until the Go-template engine in src/cli/output/ lands: handles `{{json .X}}` and `{{.X.Y}}`.
export function renderTemplate(format: string, data: unknown): string {
  return format.replace(/\{\{\s*(json\s+)?\.([\w.]*)\s*\}\}/g, (_m, json: string | undefined, path: string) => {
    let v: any = data;
    for (const p of path.split('.').filter(Boolean)) v = v?.[p];
    return json ? JSON.stringify(v ?? null) : String(v ?? '<no value>');
  });
}
