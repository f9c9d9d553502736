/** Every command the manifest contributes, by the name after `activationLens.`. */
export { analyze, runWhatIf, stop } from './run';
export { applyEluFix, goToLayer } from './source';
export { openDashboard, openDashboardInEditor, exportReport } from './dashboard';
export { installGpuBackend, installCpuBackend } from './backend';
export { openRun, compareRuns, compareWithPrevious, clearComparison, deleteRun } from './runs';
export { openExample } from './example';
export { runLive } from './live';
