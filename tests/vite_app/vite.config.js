// Relative asset URLs, so the built app works from any directory it is served from.
export default { base: './', build: { target: 'es2022' } };
