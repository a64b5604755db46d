import Inpainting
