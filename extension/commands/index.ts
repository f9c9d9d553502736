/** Every command the manifest contributes, by the name after `activationLens.`. */
export { analyze, runWhatIf, stop } from './run';
export { applyEluFix, goToLayer } from './source';
export { openDashboard, exportReport } from './dashboard';
export { installGpuBackend, installCpuBackend } from './backend';
export { runLive } from './live';
