import { appendFileSync, existsSync, writeFileSync } from 'node:fs';

const HEADER = `# Results

Figures measured with \`npm run bench\`, how to reproduce them, and on what. Never asserted by a
test: a figure is true of its machine, its load and its commit.
`;

/**
 * Appends a section to a results file, formatted as the repository's Prettier formats Markdown
 * (tables aligned), so that \`npm run lint\` accepts the file as the benchmark leaves it.
 */
export async function appendResults(file: string, section: string): Promise<void> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  const formatted = await prettier.format(section, { ...options, parser: 'markdown' });
  if (!existsSync(file)) writeFileSync(file, HEADER);
  appendFileSync(file, `\n${formatted}`);
}
