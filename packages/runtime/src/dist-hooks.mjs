// Resolve hook (module.register) for running from the build: adds the `tickline-dist` export
// condition, so `@tickline/*` imports load each package's dist/ JavaScript instead of its sources.
const CONDITION = 'tickline-dist';

export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes(CONDITION) ? context.conditions : [...context.conditions, CONDITION];
  return nextResolve(specifier, { ...context, conditions });
}
