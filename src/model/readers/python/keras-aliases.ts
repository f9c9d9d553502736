/**
 * Keras exports several names for one layer class (`MaxPool2D` is `MaxPooling2D`, `Convolution2D`
 * is `Conv2D`); Keras 3's and Keras 2's aliases map to the class name TF.js knows. Reading an alias
 * as an unknown class dropped the layer (and the Dense layers after it then ran per pixel).
 */
const aliases: Record<string, string> = {
  MaxPool1D: 'MaxPooling1D',
  MaxPool2D: 'MaxPooling2D',
  MaxPool3D: 'MaxPooling3D',
  AvgPool1D: 'AveragePooling1D',
  AvgPool2D: 'AveragePooling2D',
  AvgPool3D: 'AveragePooling3D',
  GlobalAvgPool1D: 'GlobalAveragePooling1D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
  GlobalAvgPool3D: 'GlobalAveragePooling3D',
  GlobalMaxPool1D: 'GlobalMaxPooling1D',
  GlobalMaxPool2D: 'GlobalMaxPooling2D',
  GlobalMaxPool3D: 'GlobalMaxPooling3D',
  Convolution1D: 'Conv1D',
  Convolution2D: 'Conv2D',
  Convolution3D: 'Conv3D',
  Convolution1DTranspose: 'Conv1DTranspose',
  Convolution2DTranspose: 'Conv2DTranspose',
  Convolution3DTranspose: 'Conv3DTranspose',
  Deconvolution2D: 'Conv2DTranspose',
  Deconv2D: 'Conv2DTranspose',
  Deconvolution3D: 'Conv3DTranspose',
  Deconv3D: 'Conv3DTranspose',
  SeparableConvolution1D: 'SeparableConv1D',
  SeparableConvolution2D: 'SeparableConv2D',
};

/** The class a Keras layer name means: `MaxPool2D` → `MaxPooling2D`; other names unchanged. */
export function kerasLayerClass(name: string): string {
  return aliases[name] ?? name;
}

/** Every alias and the class it means (for the docs table and tests). */
export const kerasLayerAliases: Readonly<Record<string, string>> = aliases;
