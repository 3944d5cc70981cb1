// Writes the trained MLP as an ONNX graph by hand (onnx-proto): there is no tfjs → ONNX converter
// without Python, and the graph is four nodes. Training-time only; functions never load onnx-proto.
import onnxProto from 'onnx-proto';
import { CROP_SIZE, CROP_VALUES } from '../src/vision/crop.js';
import { MODEL_CLASSES, MODEL_INPUT, MODEL_OUTPUT } from '../src/vision/model-spec.js';

const { onnx } = onnxProto;

export interface DenseLayer {
  /** [inputs, units], row-major, as tfjs stores a Dense kernel. */
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly inputs: number;
  readonly units: number;
}

const floatTensor = (name: string, dims: number[], values: Float32Array) => ({
  name,
  dims,
  dataType: onnx.TensorProto.DataType.FLOAT,
  rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
});

/** crops [N,32,32,3] → Reshape [N,3072] → Gemm → Relu → Gemm → Softmax → probabilities [N,classes]. */
export function signnetOnnx(hidden: DenseLayer, output: DenseLayer, metadata: Record<string, string>): Uint8Array {
  const shape = new BigInt64Array([-1n, BigInt(CROP_VALUES)]);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'eventyard scripts/train-signs.ts',
    opsetImport: [{ domain: '', version: 17 }],
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'signnet',
      input: [
        {
          name: MODEL_INPUT,
          type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: CROP_SIZE }, { dimValue: CROP_SIZE }, { dimValue: 3 }] } } },
        },
      ],
      output: [{ name: MODEL_OUTPUT, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: MODEL_CLASSES.length }] } } } }],
      initializer: [
        { name: 'flat_shape', dims: [2], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(shape.buffer) },
        floatTensor('hidden_w', [hidden.inputs, hidden.units], hidden.kernel),
        floatTensor('hidden_b', [hidden.units], hidden.bias),
        floatTensor('out_w', [output.inputs, output.units], output.kernel),
        floatTensor('out_b', [output.units], output.bias),
      ],
      node: [
        { opType: 'Reshape', input: [MODEL_INPUT, 'flat_shape'], output: ['flat'], name: 'flatten' },
        { opType: 'Gemm', input: ['flat', 'hidden_w', 'hidden_b'], output: ['hidden_pre'], name: 'hidden' },
        { opType: 'Relu', input: ['hidden_pre'], output: ['hidden_act'], name: 'relu' },
        { opType: 'Gemm', input: ['hidden_act', 'out_w', 'out_b'], output: ['logits'], name: 'out' },
        { opType: 'Softmax', input: ['logits'], output: [MODEL_OUTPUT], name: 'softmax', attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
