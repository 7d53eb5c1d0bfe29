/**
 * Route schemas compiled on a route's first request instead of at start: fastify compiles every
 * body/querystring/params schema when the server gets ready, and Ajv's code generation for all of
 * them (plus the Ajv instance itself) took ~0.4 s of each start, mostly for routes an instance
 * rarely serves (simulator, console, admin API). The compiler is fastify's own default
 * (@fastify/ajv-compiler, same options); only when it runs changes. A schema that does not compile
 * fails its route's requests (500) instead of the start; tests exercise every route's schema.
 *
 * Header schemas would lose fastify's lower-casing of their keys with a custom compiler: none of
 * our routes validates headers (refused here). fastify's default response serializer compiler
 * (fast-json-stringify, with its own Ajv) is likewise loaded only when a route has a response schema.
 */
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type ValidatorCompiler = ReturnType<BuildValidator>;
type Validate = ReturnType<ValidatorCompiler> & { errors?: unknown; schemaEnv?: unknown };
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;

const load = createRequire(import.meta.url);

/** fastify's default validator builder, loaded (with Ajv) on the first compile. */
function defaultBuildValidator(): BuildValidator {
  const AjvCompiler = load('@fastify/ajv-compiler') as () => BuildValidator;
  return AjvCompiler();
}

/** The `schemaController` option: fastify's default compilers, loaded and run when first needed. */
export function lazySchemaCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  let build: BuildValidator | undefined;
  const buildValidator: BuildValidator = (externalSchemas, ajvServerOptions) => {
    let compiler: ValidatorCompiler | undefined;
    return (route) => {
      if (route.httpPart === 'headers') throw new Error(`${route.method} ${route.url}: header schemas need fastify's default compiler (see lazy-schemas.ts)`);
      let validate: Validate | undefined;
      const compiled = (): Validate => {
        build ??= defaultBuildValidator();
        compiler ??= build(externalSchemas, ajvServerOptions);
        validate ??= compiler(route) as Validate;
        return validate;
      };
      const lazy = ((data: unknown, context?: unknown) => (compiled() as (d: unknown, c?: unknown) => unknown)(data, context)) as Validate;
      // fastify reads `schemaEnv` before the call (to pass Ajv the parent object) and `errors` after it.
      Object.defineProperty(lazy, 'schemaEnv', { get: () => compiled().schemaEnv });
      Object.defineProperty(lazy, 'errors', { get: () => compiled().errors });
      return lazy;
    };
  };
  let serializers: BuildSerializer | undefined;
  // fastify calls this only for a route with a response schema.
  const buildSerializer: BuildSerializer = (externalSchemas, serializerOptions) => {
    serializers ??= (load('@fastify/fast-json-stringify-compiler') as { SerializerSelector: () => BuildSerializer }).SerializerSelector();
    return serializers(externalSchemas, serializerOptions);
  };
  return { compilersFactory: { buildValidator, buildSerializer } };
}
