import { readFileSync, writeFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse, printSchema, type GraphQLSchema } from 'graphql';
import { repoPath } from '../paths.js';
import { DEFAULT_PORTS, subgraphDefinitions, type SubgraphName } from '../subgraphs.js';

export interface ComposedSchemas {
  subgraphs: { name: string; path: string; sdl: string }[];
  supergraph: { path: string; sdl: string };
  /** The API as clients see it (no federation internals, no @inaccessible), for codegen. */
  api: { path: string; sdl: string };
}

/** The API schema of a supergraph: what the gateway serves to clients. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

/** Prints each subgraph's SDL and composes the supergraph with @apollo/composition. */
export async function composeSchemas(): Promise<ComposedSchemas> {
  const subgraphs = [];
  for (const definition of subgraphDefinitions()) {
    const sdl = printSubgraphSchema(await definition.buildSchema()) + '\n';
    subgraphs.push({
      name: definition.name,
      path: repoPath('subgraphs', definition.name, 'schema.graphql'),
      sdl,
    });
  }
  const result = composeServices(
    subgraphs.map(({ name, sdl }) => ({
      name,
      // The gateway overrides these with its configured URLs; they only document the defaults.
      url: `http://127.0.0.1:${DEFAULT_PORTS[name as SubgraphName]}/graphql`,
      typeDefs: parse(sdl),
    })),
  );
  if (result.errors) {
    throw new Error(
      `Composition failed:\n${result.errors.map((e) => `  ${e.message}`).join('\n')}`,
    );
  }
  return {
    subgraphs,
    supergraph: {
      path: repoPath('schema', 'supergraph.graphql'),
      sdl: result.supergraphSdl + '\n',
    },
    api: {
      path: repoPath('schema', 'api.graphql'),
      sdl: printSchema(apiSchemaOf(result.supergraphSdl)) + '\n',
    },
  };
}

/**
 * `hub compose` writes the printed schemas; `hub compose --check` writes nothing and fails,
 * naming the files, when a committed schema differs from what the code produces.
 */
export async function composeCommand(args: string[]): Promise<number> {
  const check = args.includes('--check');
  const { subgraphs, supergraph, api } = await composeSchemas();
  const files = [...subgraphs, supergraph, api];
  if (!check) {
    for (const file of files) writeFileSync(file.path, file.sdl);
    console.log(`Wrote ${files.map((f) => f.path).join(', ')}`);
    return 0;
  }
  const stale = files.filter((file) => {
    try {
      return readFileSync(file.path, 'utf8') !== file.sdl;
    } catch {
      return true;
    }
  });
  if (stale.length === 0) {
    console.log('Printed subgraph schemas, the supergraph and the API schema are up to date.');
    return 0;
  }
  console.error(
    `Stale schema files (run \`npm run compose\` and commit the result):\n${stale.map((f) => `  ${f.path}`).join('\n')}`,
  );
  return 1;
}
