// tfjs-backend-webgpu 4.22's N-D TransposeProgram passes `A[i]` to `setOutputAtIndex(…, value: f32)`.
// When A's buffer holds i32 — int32 and bool tensors, and float32 tensors made by `cast` from them,
// which only relabel the i32 buffer — that WGSL does not validate, and the invalid pipeline voids
// the whole command buffer it was batched into: every op in it silently reads back zeros or stale
// data. Reductions over leading axes (`sum([0, 1, 2])` of a fire mask) transpose first, so fire
// counts came back as garbage. The reductions call the program directly, not through the kernel
// registry, so the fix sits where every program passes: the backend's runWebGPUProgram.

interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: string;
}
interface ProgramLike {
  shaderKey?: string;
  variableNames?: string[];
  outputShape?: number[];
  newDim?: number[];
  workPerThread?: number;
  getUserCode(): string;
}
interface WebGpuBackendLike {
  tensorMap: { get(dataId: object): { dtype: string } | undefined };
  runWebGPUProgram(
    program: ProgramLike,
    inputs: TensorInfoLike[],
    outputDtype: string,
    ...rest: unknown[]
  ): unknown;
}

// Field names of the coordinate types the backend's shader prelude defines (vec2..vec4, vec5, vec6).
const AXIS = ['x', 'y', 'z', 'w', 'u', 'v'];

function coordinateType(rank: number): string {
  return rank === 1 ? 'i32' : rank <= 4 ? `vec${rank}<i32>` : `vec${rank}`;
}

/** The transpose body, writing through setOutputAtIndexI32 (which converts to the output type). */
export function integerTransposeCode(outputShape: number[], newDim: number[]): string {
  const rank = outputShape.length;
  // Input axis newDim[i] takes output coordinate i.
  const inputCoords = new Array<string>(rank);
  newDim.forEach((axis, i) => {
    inputCoords[axis] = rank === 1 ? 'coords' : `coords.${AXIS[i]}`;
  });
  return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          setOutputAtIndexI32(index, A[getIndexFromCoords${rank}D(${coordinateType(rank)}(${inputCoords.join(', ')}), uniforms.aShape)]);
        }
      }`;
}

function isI32Transpose(program: ProgramLike, inputs: TensorInfoLike[], backend: WebGpuBackendLike): boolean {
  if (!program.shaderKey?.startsWith('transpose_') || program.newDim === undefined) return false;
  if (program.outputShape === undefined || program.outputShape.length > AXIS.length) return false;
  // The program's dispatch covers one element per invocation; a different split would leave gaps.
  if (program.workPerThread !== undefined && program.workPerThread !== 1) return false;
  const input = inputs[0];
  const storage = input === undefined ? undefined : backend.tensorMap.get(input.dataId)?.dtype;
  return storage === 'int32' || storage === 'bool';
}

/** Routes i32-backed N-D transposes of this backend instance to valid WGSL; idempotent. */
export function installIntegerTransposeFix(backend: object): void {
  const target = backend as WebGpuBackendLike & { activationLensTransposeFix?: true };
  if (target.activationLensTransposeFix) return;
  const run = target.runWebGPUProgram.bind(target);
  target.runWebGPUProgram = (program, inputs, outputDtype, ...rest) => {
    if (isI32Transpose(program, inputs, target)) {
      const code = integerTransposeCode(program.outputShape as number[], program.newDim as number[]);
      // A key of its own, so a pipeline cached from the broken code is never reused.
      program.shaderKey = `activationLensI32${program.shaderKey}`;
      program.getUserCode = () => code;
    }
    return run(program, inputs, outputDtype, ...rest);
  };
  target.activationLensTransposeFix = true;
}
